using System.Diagnostics;

namespace Dialtone.WebRtc.Tests.Infrastructure;

/// <summary>
/// A private PulseAudio server for one test (Debian pulseaudio, installed by
/// tests/infra/install-audio.sh): its own runtime folder and socket, a null sink "dt_sink" (the
/// default sink, whose monitor records what is played to it) and a microphone fed a sine at
/// <see cref="ToneHz"/>: module-sine plays into a second null sink "dt_tone" whose monitor
/// "dt_tone.monitor" is the default source. (module-sine-source would be simpler but runs with a
/// fixed 2 s latency and delivers its audio in bursts.) Killed and cleaned up on dispose.
/// </summary>
public sealed class PulseAudioServer : IDisposable
{
    public const string Sink = "dt_sink";
    public const string Source = "dt_tone.monitor";
    public const double ToneHz = 440;

    private readonly string folder;
    private readonly Process process;

    public PulseAudioServer()
    {
        folder = Directory.CreateTempSubdirectory("dialtone-pulse-").FullName;
        string socket = Path.Combine(folder, "native");
        Server = "unix:" + socket;
        string script = Path.Combine(folder, "test.pa");
        File.WriteAllText(script, $"""
            load-module module-native-protocol-unix auth-anonymous=1 socket={socket}
            load-module module-null-sink sink_name={Sink} rate=48000 channels=1 sink_properties=device.description=Dialtone-test-speaker
            load-module module-null-sink sink_name=dt_tone rate=48000 channels=1 sink_properties=device.description=Dialtone-test-tone
            load-module module-sine sink=dt_tone frequency={ToneHz}
            set-default-sink {Sink}
            set-default-source {Source}
            """);
        var start = new ProcessStartInfo("pulseaudio")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (string a in new[] { "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--log-target=stderr", "-F", script })
        {
            start.ArgumentList.Add(a);
        }

        // Everything the server writes goes to the private folder; no session bus, no user config.
        foreach (string v in new[] { "HOME", "XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH", "XDG_CONFIG_HOME" })
        {
            start.Environment[v] = folder;
        }

        start.Environment.Remove("DBUS_SESSION_BUS_ADDRESS");
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("pulseaudio did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("pulseaudio is not installed (run tests/infra/install-audio.sh): " + e.Message, e);
        }

        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(socket) || !Answers())
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                Dispose();
                throw new InvalidOperationException($"the test PulseAudio server did not come up (exited: {process.HasExited})");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>The server address for <see cref="PeerConnectionFactoryOptions.AudioServer"/>.</summary>
    public string Server { get; }

    /// <summary>Records what is played to <see cref="Sink"/> (its monitor) for <paramref name="duration"/>, 48 kHz mono.</summary>
    public short[] RecordSink(TimeSpan duration)
    {
        var start = new ProcessStartInfo("parec") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--server=" + Server, "-d", Sink + ".monitor", "--raw", "--format=s16le", "--rate=48000", "--channels=1", "--latency-msec=20" })
        {
            start.ArgumentList.Add(a);
        }

        using var parec = Process.Start(start) ?? throw new InvalidOperationException("parec did not start");
        // Recording starts with parec's first bytes (it may take a while to connect on a loaded machine).
        var bytes = new List<byte>();
        var firstData = new ManualResetEventSlim();
        var reader = Task.Run(() =>
        {
            var buffer = new byte[4800];
            int n;
            while ((n = parec.StandardOutput.BaseStream.Read(buffer, 0, buffer.Length)) > 0)
            {
                lock (bytes)
                {
                    bytes.AddRange(buffer.AsSpan(0, n));
                }

                firstData.Set();
            }
        });
        firstData.Wait(TimeSpan.FromSeconds(10));
        int start0;
        lock (bytes)
        {
            start0 = bytes.Count;
        }

        Thread.Sleep(duration);
        byte[] data;
        lock (bytes)
        {
            data = bytes.Skip(start0).Take(bytes.Count - start0).ToArray();
        }

        parec.Kill();
        parec.WaitForExit(5000);
        reader.Wait(TimeSpan.FromSeconds(5));
        var samples = new short[data.Length / 2];
        Buffer.BlockCopy(data, 0, samples, 0, samples.Length * 2);
        return samples;
    }

    /// <summary>Ends the server abruptly, as a crashed sound server or an unplugged device would.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private bool Answers()
    {
        var start = new ProcessStartInfo("pactl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--server=" + Server);
        start.ArgumentList.Add("info");
        using var pactl = Process.Start(start);
        if (pactl is null)
        {
            return false;
        }

        pactl.StandardOutput.ReadToEnd();
        return pactl.WaitForExit(5000) && pactl.ExitCode == 0;
    }
}
