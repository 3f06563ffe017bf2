export * from './api-routes.ts';
export * from './dashboard-server.ts';
export * from './errors.ts';
export * from './metrics-view.ts';
export * from './request-guard.ts';
export * from './runner-schedule-control.ts';
export * from './start-dashboard.ts';
export * from './types.ts';
