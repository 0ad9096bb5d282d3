using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Dialtone.Cli;

/// <summary>
/// The standard help, followed by the examples of the command asked about. System.CommandLine
/// uses one description both in a command's own help and in its parent's command list, so
/// examples live here, keeping the list of commands to one line each.
/// </summary>
internal sealed class HelpWithExamples(HelpAction standard, IReadOnlyDictionary<Command, string> examples) : SynchronousCommandLineAction
{
    // Like the standard help: "dialtone call --help" works without the required URI.
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var code = standard.Invoke(parseResult);
        if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(text.TrimEnd());
            output.WriteLine();
        }
        return code;
    }

    /// <summary>Puts this action on the root's (recursive) help option.</summary>
    public static void Install(RootCommand root, IReadOnlyDictionary<Command, string> examples)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamples((HelpAction)help.Action!, examples);
    }
}
