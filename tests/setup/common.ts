import '../../local/polyfills';

// Powertools outside Lambda: no trace segments, no EMF lines on stdout, only warnings logged.
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_SERVICE_NAME ??= 'rapport-test';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'RapportTest';
