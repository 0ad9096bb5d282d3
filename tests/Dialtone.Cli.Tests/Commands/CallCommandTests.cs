using Dialtone.Phone;
using Dialtone.Server;

namespace Dialtone.Cli.Tests.Commands;

/// <summary><c>dialtone call</c> against the embedded server, with a real user agent at the other end and real media.</summary>
public sealed class CallCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private EmbeddedSipServer _server = null!;
    private Answerer? _bob;

    public async Task InitializeAsync() => _server = await EmbeddedSipServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_bob is not null)
            await _bob.DisposeAsync();
        await _server.DisposeAsync();
    }

    private string[] Call(string user, params string[] extra) =>
        ["call", $"sip:{user}@{_server.Domain}", "--server", _server.WebSocketUri.ToString(), "--user", $"sip:alice@{_server.Domain}", "--no-view", "--no-audio", .. extra];

    [Fact]
    public async Task An_answered_call_lasts_its_duration_then_hangs_up_with_exit_code_0()
    {
        _bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", call => call.AnswerAsync());

        var (code, output) = await CliRun.RunAsync(Call("bob", "--duration", "6s", "--dtmf", "12#"));

        Assert.True(code == 0, output);
        var bobsCall = await _bob.Incoming.Task.WaitAsync(Generous);
        var end = await bobsCall.Ended.WaitAsync(Generous);
        Assert.Equal(CallEndReason.RemoteHangup, end.Reason); // the CLI sent BYE
        Assert.Contains("established", output);
        Assert.Contains("opus", output);
        Assert.Contains("--duration reached", output);
        Assert.Contains("sent DTMF 12#", output);
        Assert.Equal("12#", _bob.DigitsHeard);
    }

    [Fact]
    public async Task A_rejected_call_exits_with_code_1()
    {
        _bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", call => call.RejectAsync(486));

        var (code, output) = await CliRun.RunAsync(Call("bob"));

        Assert.True(code == (int)ExitCode.CallFailed, output);
        Assert.Contains("486", output);
    }

    [Fact]
    public async Task A_call_nobody_answers_is_cancelled_after_the_answer_timeout_with_exit_code_6()
    {
        _bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", _ => Task.CompletedTask);

        var (code, output) = await CliRun.RunAsync(Call("bob", "--answer-timeout", "1s"));

        Assert.True(code == (int)ExitCode.NoAnswer, output);
        var bobsCall = await _bob.Incoming.Task.WaitAsync(Generous);
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason); // CANCEL reached bob
    }

    [Fact]
    public async Task Interrupting_a_ringing_call_cancels_it_with_exit_code_130()
    {
        _bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", _ => Task.CompletedTask);
        using var interrupt = new CancellationTokenSource();
        var running = CliRun.RunAsync(Call("bob"), cancellationToken: interrupt.Token);
        var bobsCall = await _bob.Incoming.Task.WaitAsync(Generous);

        await interrupt.CancelAsync();
        var (code, output) = await running.WaitAsync(Generous);

        Assert.True(code == (int)ExitCode.Interrupted, output);
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

    [Fact]
    public async Task Interrupting_an_answered_call_hangs_up_with_exit_code_0()
    {
        _bob = await Answerer.StartAsync(_server.WebSocketUri, _server.Domain, "bob", call => call.AnswerAsync());
        using var interrupt = new CancellationTokenSource();
        var running = new CliRun.Running(Call("bob"), interrupt.Token);
        var bobsCall = await _bob.Incoming.Task.WaitAsync(Generous);
        await bobsCall.Established.WaitAsync(Generous);
        // Bob is up once our ACK arrives; we count as answered once our side has applied his answer.
        await WaitUntil(() => running.Output.Contains("call: established", StringComparison.Ordinal) || running.Completion.IsCompleted);

        await interrupt.CancelAsync();
        var code = await running.Completion.WaitAsync(Generous);
        var output = running.Output;

        Assert.True(code == 0, output);
        Assert.Contains("hanging up (Ctrl+C)", output);
        Assert.Equal(CallEndReason.RemoteHangup, (await bobsCall.Ended.WaitAsync(Generous)).Reason);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(20);
    }

    [Fact]
    public async Task Calling_someone_who_is_not_online_exits_with_code_6()
    {
        var (code, output) = await CliRun.RunAsync(Call("nobody"));

        Assert.True(code == (int)ExitCode.NoAnswer, output);
        Assert.Contains("480", output);
    }

    [Fact]
    public async Task An_unreachable_server_exits_with_code_4()
    {
        var (code, output) = await CliRun.RunAsync(["call", "sip:bob@127.0.0.1", "--server", "ws://127.0.0.1:1/", "--user", "sip:alice@127.0.0.1", "--no-view", "--no-audio"]);

        Assert.True(code == (int)ExitCode.ServerUnreachable, output);
        Assert.Contains("ws://127.0.0.1:1/", output);
    }

    [Theory]
    [InlineData("--server", "http://example.com/")]
    [InlineData("--user", "alice")]
    public async Task A_malformed_server_or_user_is_a_usage_error(string option, string value)
    {
        string[] args = ["register", "--server", _server.WebSocketUri.ToString(), "--user", $"sip:alice@{_server.Domain}"];
        args[Array.IndexOf(args, option) + 1] = value;

        var (code, output) = await CliRun.RunAsync(args);

        Assert.True(code == (int)ExitCode.Usage, output);
    }
}
