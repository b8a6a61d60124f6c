using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Breakwater.Paper.Benchmarks.PaperBrokerBenchmarks).Assembly).Run(args);
