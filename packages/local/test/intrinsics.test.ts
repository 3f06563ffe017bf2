import { describe, expect, it } from 'vitest';
import { IntrinsicError, resolveIntrinsics } from '@serverless-jobs/local/runner';

const resolver = {
  ref: (id: string) => `name-of-${id}`,
  getAtt: (id: string, attribute: string) => `${attribute}-of-${id}`,
};

describe('Function: resolveIntrinsics', () => {
  it('resolves Ref, Fn::GetAtt and pseudo parameters to local values', () => {
    expect(
      resolveIntrinsics(
        { a: { Ref: 'Queue' }, b: { 'Fn::GetAtt': ['Queue', 'Arn'] }, c: { Ref: 'AWS::Region' } },
        resolver,
      ),
    ).toEqual({
      a: 'name-of-Queue',
      b: 'Arn-of-Queue',
      c: 'us-east-1',
    });
  });

  it('evaluates Fn::Join, Fn::Select, Fn::Split and Fn::Sub, nested', () => {
    expect(resolveIntrinsics({ 'Fn::Join': ['/', ['x', { Ref: 'T' }]] }, resolver)).toBe('x/name-of-T');
    expect(resolveIntrinsics({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] }, resolver)).toBe('b');
    expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:${T}:${T.Arn}' }, resolver)).toBe(
      'arn:aws:name-of-T:Arn-of-T',
    );
    expect(resolveIntrinsics({ 'Fn::Sub': ['${X}-${Y}', { X: 'x', Y: { Ref: 'T' } }] }, resolver)).toBe('x-name-of-T');
  });

  it('refuses an intrinsic it cannot evaluate, quoting it', () => {
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'Shared' }, resolver)).toThrow(IntrinsicError);
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'Shared' }, resolver)).toThrow(
      'Fn::ImportValue is not supported locally (given {"Fn::ImportValue":"Shared"})',
    );
  });
});
