using System.Text.RegularExpressions;
using Dialtone.Sip.IntegrationTests.Infrastructure;

namespace Dialtone.Scale.Tests.Infrastructure;

/// <summary>
/// A Dialtone node in its own process (this test assembly run as <c>agent</c>, see Agent/CallAgent.cs):
/// answers every call the dispatcher sends it; its stdout says which calls it took.
/// </summary>
internal sealed partial class DialtoneNode : IDisposable
{
    private readonly ChildProcess _process;

    private DialtoneNode(string name, ChildProcess process, string address)
    {
        Name = name;
        _process = process;
        Address = address;
    }

    public string Name { get; }

    /// <summary>Its SIP address (host:port, UDP) for the dispatcher list.</summary>
    public string Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a node whose SIP server (outbound proxy) is <paramref name="server"/> and waits until it listens.</summary>
    public static async Task<DialtoneNode> StartAsync(string name, string server, TimeSpan within)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var process = new ChildProcess(host, [typeof(Program).Assembly.Location, "agent", server, "bot"]);
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (ReadyLine().Match(process.Output) is { Success: true } ready)
                return new DialtoneNode(name, process, ready.Groups[1].Value);
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var tail = process.Tail();
                process.Dispose();
                throw new InvalidOperationException($"node {name} did not start:\n{tail}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Call-IDs of the calls this node was sent, in order.</summary>
    public IReadOnlyList<string> CallIds => CallLine().Matches(_process.Output).Select(m => m.Groups[1].Value).ToList();

    public string Output => _process.Output;

    /// <summary>SIGKILL, as a crash: no BYE, no answer to anything any more.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();

    [GeneratedRegex(@"^READY (\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^CALL (\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex CallLine();
}
