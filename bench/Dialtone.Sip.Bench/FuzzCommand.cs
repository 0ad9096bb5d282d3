using Dialtone.Sip.Fuzzing;

namespace Dialtone.Sip.Bench;

/// <summary>
/// <c>fuzz [inputs-per-function] [seed]</c>: every public Parse/TryParse of the SIP layer with a
/// million (default) generated inputs each. Prints a line per function; exits 1 when any function
/// threw something other than <c>SipParseException</c> (or a TryParse threw at all).
/// </summary>
internal static class FuzzCommand
{
    public static int Run(string[] args)
    {
        var count = args.Length > 0 && long.TryParse(args[0], out var n) && n > 0 ? n : 1_000_000;
        var seed = args.Length > 1 && int.TryParse(args[1], out var s) ? s : 20261130;
        var fuzzer = new SipFuzzer([Fixtures.Invite, Fixtures.Linphone488, Fixtures.Register]);
        Console.WriteLine($"fuzz: {count:N0} inputs per function, seed {seed}");
        Console.WriteLine($"{"function",-46} {"inputs",12} {"accepted",11} {"rejected",11} {"failures",9} {"seconds",8}");
        var failed = false;
        var targets = fuzzer.Targets;
        for (var i = 0; i < targets.Count; i++)
        {
            var r = fuzzer.Run(targets[i], i, count, seed);
            Console.WriteLine($"{r.Name,-46} {r.Inputs,12:N0} {r.Accepted,11:N0} {r.Rejected,11:N0} {r.FailureCount,9:N0} {r.Elapsed.TotalSeconds,8:F1}");
            foreach (var f in r.Failures)
                Console.WriteLine("    " + f.Replace("\n", "\n    "));
            failed |= r.FailureCount > 0;
        }
        Console.WriteLine(failed ? "FAILED: an exception other than SipParseException escaped" : "ok: only SipParseException, TryParse never threw");
        return failed ? 1 : 0;
    }
}
