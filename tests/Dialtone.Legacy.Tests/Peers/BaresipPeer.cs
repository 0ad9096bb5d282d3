using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dialtone.Sip.IntegrationTests.Infrastructure;

namespace Dialtone.Legacy.Tests.Peers;

/// <summary>
/// A real baresip (Debian's 1.0.0, tests/infra/install-legacy-peers.sh) in a temp folder: headless,
/// its microphone a sine (ausine), what it hears recorded to WAV (sndfile), driven over its TCP
/// control socket (ctrl_tcp: netstring JSON commands and events). Registers with the given
/// registrar as <paramref name="user"/> and answers calls by itself.
/// </summary>
internal sealed class BaresipPeer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly ChildProcess _process;
    private readonly TcpClient _control = new();
    private readonly List<JsonElement> _events = [];
    private readonly Task _reader;
    private int _token;

    private BaresipPeer(string dir, ChildProcess process)
    {
        _dir = dir;
        _process = process;
        _reader = Task.CompletedTask;
    }

    private BaresipPeer(string dir, ChildProcess process, TcpClient control)
        : this(dir, process)
    {
        _control = control;
        _reader = Task.Run(ReadEventsAsync);
    }

    /// <param name="mediaEncryption">"srtp-mand" for RTP/SAVP with SDES, null for plain RTP/AVP.</param>
    public static async Task<BaresipPeer> StartAsync(string user, string password, string domain, int registrarPort, string? mediaEncryption, int toneHz)
    {
        var dir = Directory.CreateTempSubdirectory("trunks-baresip-").FullName;
        int sipPort = FreePorts.Next(), controlPort = FreePorts.Next();
        File.WriteAllText(Path.Combine(dir, "config"), $"""
            poll_method epoll
            net_interface 127.0.0.1
            sip_listen 127.0.0.1:{sipPort}
            audio_source ausine,{toneHz}
            audio_player aubridge,nowhere
            audio_alert aubridge,nowhere
            ausrc_srate 48000
            ausrc_channels 2
            auplay_srate 48000
            auplay_channels 2
            module_path /usr/lib/baresip/modules
            module g711.so
            module ausine.so
            module aubridge.so
            module sndfile.so
            module srtp.so
            module ctrl_tcp.so
            module_app menu.so
            module_app account.so
            snd_path {dir}
            ctrl_tcp_listen 127.0.0.1:{controlPort}
            """);
        string encryption = mediaEncryption is null ? "" : $";mediaenc={mediaEncryption}";
        File.WriteAllText(Path.Combine(dir, "accounts"),
            $"<sip:{user}@{domain};transport=udp>;auth_pass={password};outbound=\"sip:127.0.0.1:{registrarPort};transport=udp\";regint=60;answermode=auto;audio_codecs=PCMU,PCMA{encryption}\n");
        var process = new ChildProcess("baresip", ["-4", "-v", "-f", dir], dir);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var control = new TcpClient();
            try
            {
                await control.ConnectAsync(IPAddress.Loopback, controlPort);
                return new BaresipPeer(dir, process, control);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                control.Dispose();
                await Task.Delay(50);
            }
            catch
            {
                control.Dispose();
                var log = process.Tail();
                process.Dispose();
                throw new InvalidOperationException($"baresip did not start (run tests/infra/install-legacy-peers.sh):\n{log}");
            }
        }
    }

    public string Log => _process.Output;

    /// <summary>baresip registered with the registrar (its log shows the 200 with the binding count).</summary>
    public Task<bool> RegisteredAsync() => WaitAsync(() => Log.Contains(" 200 OK (", StringComparison.Ordinal) && Log.Contains(" binding", StringComparison.Ordinal));

    /// <summary>Sends a control command (dial, hangup, sndcode, ...); does not wait for its answer.</summary>
    public async Task CommandAsync(string command, string parameters = "")
    {
        var json = JsonSerializer.Serialize(new { command, @params = parameters, token = (++_token).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var bytes = Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(json)}:{json},");
        await _control.GetStream().WriteAsync(bytes);
    }

    /// <summary>An event of <paramref name="type"/> came (e.g. CALL_ESTABLISHED, CALL_CLOSED).</summary>
    public Task<bool> EventAsync(string type) => WaitAsync(() => Events(type).Any());

    /// <summary>The events of <paramref name="type"/> so far.</summary>
    public IReadOnlyList<JsonElement> Events(string type)
    {
        lock (_events)
        {
            return _events.Where(e => e.TryGetProperty("type", out var t) && t.GetString() == type).ToList();
        }
    }

    /// <summary>What baresip heard (its decoder's output), as mono samples, and the sample rate.</summary>
    public (short[] Samples, int Rate) Heard()
    {
        var file = Directory.GetFiles(_dir, "dump-*-dec.wav").OrderBy(File.GetLastWriteTimeUtc).LastOrDefault()
            ?? throw new InvalidOperationException("baresip recorded nothing (no dump-*-dec.wav)");
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        int channels = BitConverter.ToInt16(bytes, 22);
        int rate = BitConverter.ToInt32(bytes, 24);
        int count = (bytes.Length - 44) / 2 / channels;
        var mono = new short[count];
        for (int i = 0; i < count; i++)
        {
            mono[i] = BitConverter.ToInt16(bytes, 44 + i * 2 * channels);
        }

        return (mono, rate);
    }

    private async Task ReadEventsAsync()
    {
        var stream = _control.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(chunk);
                if (n == 0)
                {
                    return;
                }

                buffer.AddRange(chunk.AsSpan(0, n));
                while (TryTakeNetstring(buffer, out var json))
                {
                    using var document = JsonDocument.Parse(json);
                    lock (_events)
                    {
                        _events.Add(document.RootElement.Clone());
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // baresip went away or we closed the socket.
        }
    }

    /// <summary>Takes one "len:payload," netstring from the front of <paramref name="buffer"/>.</summary>
    private static bool TryTakeNetstring(List<byte> buffer, out byte[] payload)
    {
        payload = [];
        int colon = buffer.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        int length = int.Parse(Encoding.ASCII.GetString(buffer.GetRange(0, colon).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
        if (buffer.Count < colon + 1 + length + 1)
        {
            return false;
        }

        payload = buffer.GetRange(colon + 1, length).ToArray();
        buffer.RemoveRange(0, colon + 1 + length + 1);
        return true;
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        // Quit cleanly first: baresip then unregisters, so the next test's baresip is the only binding.
        try
        {
            await CommandAsync("quit");
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException or TimeoutException)
        {
            // already gone: killed below either way
        }

        _control.Dispose();
        _process.Dispose();
        await _reader.ConfigureAwait(false);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open; the temp folder is cleaned later
        }
    }
}
