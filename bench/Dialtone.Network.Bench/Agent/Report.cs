using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dialtone.Network.Agent;

/// <summary>One JSON object per line on stdout: the test host reads these; logs go to stderr.</summary>
internal static class Report
{
    private static readonly object Gate = new();

    public static void Event(string name, JsonObject? fields = null)
    {
        var line = fields ?? [];
        line["event"] = name;
        lock (Gate)
        {
            Console.Out.WriteLine(line.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            Console.Out.Flush();
        }
    }
}
