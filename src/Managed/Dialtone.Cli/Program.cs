using Dialtone.Cli;

return await DialtoneCli.RunAsync(args, CliHost.FromProcess());
