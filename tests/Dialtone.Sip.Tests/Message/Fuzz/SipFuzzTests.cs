using Dialtone.Sip.Fuzzing;
using Dialtone.Sip.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Dialtone.Sip.Tests.Message.Fuzz;

/// <summary>
/// A seeded slice of the benchmark project's <c>fuzz</c> mode (which runs a million inputs per
/// function): every public Parse/TryParse of the SIP layer only ever succeeds or throws
/// SipParseException, and TryParse never throws. Failures print the input as a C# literal.
/// </summary>
public sealed class SipFuzzTests(ITestOutputHelper output)
{
    private const int InputsPerFunction = 4_000;

    public static TheoryData<int> TargetIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < NewFuzzer().Targets.Count; i++)
            data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(TargetIndexes))]
    public void EveryPublicParser_OnlyThrowsTheDocumentedException(int targetIndex)
    {
        var fuzzer = NewFuzzer();
        var target = fuzzer.Targets[targetIndex];
        var result = fuzzer.Run(target, targetIndex, InputsPerFunction, seed: 11);
        output.WriteLine($"{result.Name}: {result.Inputs} inputs, {result.Accepted} accepted, {result.Rejected} rejected, {result.FailureCount} failures");
        Assert.True(result.FailureCount == 0, string.Join("\n", result.Failures));
        // The mutations must reach both outcomes, or the fuzzer is not exercising the parser.
        Assert.InRange(result.Accepted, 1, InputsPerFunction - 1);
        Assert.InRange(result.Rejected, 1, InputsPerFunction - 1);
    }

    private static SipFuzzer NewFuzzer() =>
        new([Fixtures.Bytes(Fixtures.PlivoInvite), Fixtures.Bytes(Fixtures.Linphone488)]);
}
