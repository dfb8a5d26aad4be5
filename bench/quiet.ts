/**
 * Imported first by bench/run.ts, before any handler module builds its logger and metrics: the
 * handlers run in this process, and their log lines and CloudWatch metric records (EMF) would bury
 * the bench's report. Warnings and errors still show.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
