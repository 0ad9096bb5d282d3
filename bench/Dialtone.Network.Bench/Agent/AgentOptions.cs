using System.Globalization;

namespace Dialtone.Network.Agent;

/// <summary>The agent's command line: <c>--name value</c> pairs (a repeated name collects values).</summary>
internal sealed class AgentOptions
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public AgentOptions(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            var name = args[i][2..];
            if (!_values.TryGetValue(name, out var list))
                _values[name] = list = [];
            list.Add(args[++i]);
        }
    }

    public string Required(string name) =>
        Optional(name) ?? throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public double Number(string name, double fallback) =>
        Optional(name) is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : fallback;
}
