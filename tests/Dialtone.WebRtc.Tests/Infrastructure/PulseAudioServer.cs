using System.Diagnostics;

namespace Dialtone.WebRtc.Tests.Infrastructure;

/// <summary>
/// A private PulseAudio server for one test (Debian pulseaudio, installed by
/// tests/infra/install-audio.sh): its own runtime folder and socket, a null sink "dt_sink" (the
/// default sink, whose monitor records what is played to it) and a sine source "dt_tone" (the
/// default source) at <see cref="ToneHz"/>. Killed and cleaned up on dispose.
/// </summary>
public sealed class PulseAudioServer : IDisposable
{
    public const string Sink = "dt_sink";
    public const string Source = "dt_tone";
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
            load-module module-null-sink sink_name={Sink} rate=48000 channels=1
            load-module module-sine-source source_name={Source} frequency={ToneHz} rate=48000
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
        var bytes = new MemoryStream();
        var copy = parec.StandardOutput.BaseStream.CopyToAsync(bytes);
        Thread.Sleep(duration);
        parec.Kill();
        parec.WaitForExit(5000);
        copy.Wait(TimeSpan.FromSeconds(5));
        byte[] data = bytes.ToArray();
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
