/**
 * The condition keys a request mapped here carries values for (SES's sender, recipients and API version). A condition
 * on any other key (`dynamodb:LeadingKeys`, `aws:SourceIp`, …) is not evaluated locally, whatever its operator.
 */
export const KNOWN_CONDITION_KEYS = ['ses:FromAddress', 'ses:Recipients', 'ses:ApiVersion'] as const;
