using Dialtone.Cli.Views;
using Spectre.Console;

namespace Dialtone.Cli.Demo;

/// <summary>The table printed when the demo ends: every check with what was measured, then the call figures.</summary>
internal static class DemoSummary
{
    public static void Write(IAnsiConsole console, IReadOnlyList<DemoCheck> checks, IReadOnlyList<PartyStatus> parties, TimeSpan elapsed, string? failure)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]dialtone demo: summary[/]");
        table.AddColumn("check");
        table.AddColumn("result");
        table.AddColumn("measured");
        foreach (var check in checks)
            table.AddRow(Markup.Escape(check.What), check.Passed ? "[green]PASS[/]" : "[red]FAIL[/]", Markup.Escape(check.Measured));
        if (failure is not null)
            table.AddRow("the demo ran to the end", "[red]FAIL[/]", Markup.Escape(failure));
        console.Write(table);

        if (parties.Count > 0)
        {
            var figures = new Table().Border(TableBorder.Rounded).Title("[bold]call figures at hang-up[/]");
            figures.AddColumn("party");
            foreach (var header in new[] { "codec", "round trip", "jitter", "loss", "MOS", "packets in/out" })
                figures.AddColumn(header);
            foreach (var p in parties)
            {
                figures.AddRow(Markup.Escape(p.Name), Markup.Escape(p.Codec ?? Format.Unknown), Format.Ms(p.RoundTripMs), Format.Ms(p.JitterMs),
                    Format.Percent(p.LossPercent), Format.Mos(p.Mos), $"{Format.Count(p.PacketsReceived)} / {Format.Count(p.PacketsSent)}");
            }
            console.Write(figures);
            console.MarkupLine("[grey]MOS: an ITU-T G.107 E-model estimate (1 to 4.5) from round trip, jitter and loss.[/]");
        }

        var passed = failure is null && checks.Count > 0 && checks.All(c => c.Passed);
        console.MarkupLine(passed
            ? $"[green]Audio crossed the call both ways, DTMF matched, hold and resume worked[/] ({elapsed.TotalSeconds:0.0} s). Exit code 0."
            : $"[red]The demo did not prove a working call[/] ({elapsed.TotalSeconds:0.0} s). Exit code {(int)ExitCode.NoAudio}.");
    }
}
