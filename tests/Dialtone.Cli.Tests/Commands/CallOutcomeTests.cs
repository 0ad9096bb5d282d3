using Dialtone.Cli.Commands;
using Dialtone.Phone;

namespace Dialtone.Cli.Tests.Commands;

public sealed class CallOutcomeTests
{
    [Theory]
    [InlineData(CallEndReason.Rejected, 486, (int)ExitCode.CallFailed)]
    [InlineData(CallEndReason.Rejected, 603, (int)ExitCode.CallFailed)]
    [InlineData(CallEndReason.Rejected, 404, (int)ExitCode.CallFailed)]
    [InlineData(CallEndReason.Rejected, 480, (int)ExitCode.NoAnswer)]
    [InlineData(CallEndReason.Rejected, 408, (int)ExitCode.NoAnswer)]
    [InlineData(CallEndReason.Failed, 407, (int)ExitCode.RegistrationFailed)]
    [InlineData(CallEndReason.Failed, 488, (int)ExitCode.CallFailed)]
    public void An_unanswered_call_maps_to_its_documented_exit_code(CallEndReason reason, int status, int expected)
    {
        Assert.Equal(expected, (int)CallOutcome.Of(new CallEnd(reason, status, "x")));
    }

    [Fact]
    public void A_failure_without_a_status_is_a_failed_call()
    {
        Assert.Equal(ExitCode.CallFailed, CallOutcome.Of(new CallEnd(CallEndReason.Failed, Detail: "ICE failed")));
    }
}
