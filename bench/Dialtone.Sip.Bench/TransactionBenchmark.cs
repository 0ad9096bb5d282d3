using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dialtone.Sip.Message;
using Dialtone.Sip.Stack;
using Dialtone.Sip.Transport;

namespace Dialtone.Sip.Bench;

/// <summary>
/// Non-INVITE transactions per second through the full stack (serialize, transport, parse,
/// transaction matching) against a sipp UAS on loopback that answers every MESSAGE with 200.
/// Bounded by a transaction count and a time limit.
/// </summary>
internal static class TransactionBenchmark
{
    public static async Task<int> RunAsync(string scenarioPath, SipTransportKind kind, int count, int concurrency, TimeSpan limit)
    {
        var port = FreeUdpAndTcpPort();
        using var sipp = StartSipp(scenarioPath, kind, port, count);
        await Task.Delay(500); // sipp binds its socket

        await using ISipTransport transport = kind == SipTransportKind.Udp
            ? new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0))
            : new SipStreamTransport(SipTransportKind.Tcp);
        await using var stack = new SipStack([transport]);
        var target = SipUri.Parse($"sip:sipp@127.0.0.1:{port};transport={kind.ViaToken().ToLowerInvariant()}");
        var from = new SipAddress(SipUri.Parse("sip:bench@127.0.0.1"));
        var body = "benchmark"u8.ToArray();

        // Warm-up: one transaction (connects TCP, JITs the path).
        await SendOneAsync(stack, target, from, body);
        var remaining = count - 1;
        var completed = 0;
        var failed = 0;
        using var stop = new CancellationTokenSource(limit);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (!stop.IsCancellationRequested && Interlocked.Decrement(ref remaining) >= 0)
            {
                try
                {
                    var status = await SendOneAsync(stack, target, from, body);
                    if (status == 200)
                        Interlocked.Increment(ref completed);
                    else
                        Interlocked.Increment(ref failed);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }).ToArray();
        try
        {
            await Task.WhenAll(workers).WaitAsync(limit + TimeSpan.FromSeconds(40));
        }
        catch (TimeoutException)
        {
            Console.WriteLine("time limit reached with transactions still pending");
        }
        clock.Stop();

        var perSecond = completed / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"transport {kind.ViaToken()}, {concurrency} in flight: {completed} MESSAGE transactions (200) in {clock.Elapsed.TotalSeconds:F2} s " +
                          $"= {perSecond:F0} transactions/s; failed {failed}");
        sipp.Kill(entireProcessTree: true);
        return failed == 0 && completed > 0 ? 0 : 1;
    }

    private static async Task<int> SendOneAsync(SipStack stack, SipUri target, SipAddress from, byte[] body)
    {
        var request = SipRequestFactory.Create(SipMethods.Message, target, from, new SipAddress(target));
        request.Headers.Remove(SipHeaderNames.ContentLength);
        request.SetBody(body, new SipContentType("text", "plain"));
        var response = await stack.SendRequestAsync(request);
        return response.StatusCode;
    }

    private static Process StartSipp(string scenario, SipTransportKind kind, int port, int count)
    {
        var info = new ProcessStartInfo("sipp")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in new[] { "-sf", scenario, "-i", "127.0.0.1", "-p", port.ToString(), "-t", kind == SipTransportKind.Udp ? "u1" : "t1",
                     "-m", count.ToString(), "-nostdin", "-timeout", "120s" })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start sipp");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("sipp: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreeUdpAndTcpPort()
    {
        while (true)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }
}
