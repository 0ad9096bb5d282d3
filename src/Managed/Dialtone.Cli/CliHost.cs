using Spectre.Console;

namespace Dialtone.Cli;

/// <summary>Sets a console's width (Spectre wraps redirected output at 80 columns otherwise).</summary>
internal static class ConsoleWidth
{
    public static IAnsiConsole WithWidth(this IAnsiConsole console, int width)
    {
        console.Profile.Width = width;
        return console;
    }
}

/// <summary>
/// The process around a command: the console to draw on, the help/error writers, the environment,
/// whether a person is at the keyboard, and (without one) the standard input that carries control
/// lines. Tests build one over string writers.
/// </summary>
internal sealed record CliHost(
    IAnsiConsole Console,
    IAnsiConsole ErrorConsole,
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> GetEnvironmentVariable,
    bool InputIsTerminal,
    bool OutputIsTerminal)
{
    /// <summary>Control lines ("mute", "dtmf 12#"…) when nobody is at a keyboard; null: none.</summary>
    public TextReader? Input { get; init; }

    public static CliHost FromProcess()
    {
        var console = AnsiConsole.Console;
        // Redirected output has no width; Spectre would wrap at 80 columns. Logs read better unwrapped.
        if (System.Console.IsOutputRedirected)
            console.Profile.Width = 120;
        var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
        if (System.Console.IsErrorRedirected)
            errors.Profile.Width = 120;
        return new(
            console,
            errors,
            System.Console.Out,
            System.Console.Error,
            Environment.GetEnvironmentVariable,
            InputIsTerminal: !System.Console.IsInputRedirected,
            OutputIsTerminal: !System.Console.IsOutputRedirected)
        {
            Input = System.Console.IsInputRedirected ? System.Console.In : null,
        };
    }

    /// <summary>A host writing plain text (no colours, no cursor moves) to <paramref name="output"/>, with no keyboard; <paramref name="input"/> carries control lines.</summary>
    public static CliHost ForText(TextWriter output, Func<string, string?>? environment = null, TextReader? input = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        }).WithWidth(120);
        return new(
            console,
            console,
            output,
            output,
            environment ?? (_ => null),
            InputIsTerminal: false,
            OutputIsTerminal: false)
        {
            Input = input,
        };
    }
}
