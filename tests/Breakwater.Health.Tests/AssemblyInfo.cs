// OpenTelemetry subscribes to meters by name across the process, so two test hosts running at once would export each
// other's "Breakwater" measurements. The whole suite takes seconds, so it runs one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
