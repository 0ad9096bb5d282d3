using Dialtone.Scale.Agent;

namespace Dialtone.Scale.Tests;

/// <summary>
/// The test host loads this assembly as a library; run as a program (<c>dotnet Dialtone.Scale.Tests.dll
/// agent …</c>) it is a Dialtone node for the dispatcher tests.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == "agent")
            return await CallAgent.RunAsync(args[1..]);
        Console.Error.WriteLine("usage: Dialtone.Scale.Tests agent <server SIP URI> [user]");
        return 2;
    }
}
