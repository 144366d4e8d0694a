import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One logger, one metrics buffer and one tracer per function instance, created at cold start.
 * Service name and namespace come from POWERTOOLS_* variables the house function sets.
 * Log lines carry ids and counts, never personal data or card numbers.
 */
export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();
