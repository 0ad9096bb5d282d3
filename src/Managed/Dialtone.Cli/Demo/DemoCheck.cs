namespace Dialtone.Cli.Demo;

/// <summary>One thing the demo proves, whether it held, and what was measured.</summary>
internal sealed record DemoCheck(string What, bool Passed, string Measured);
