using Corbado.Oidc.Bench;

var root = BenchCommandLine.Build(BenchRun.RunAsync, args);
return await root.Parse(args).InvokeAsync();
