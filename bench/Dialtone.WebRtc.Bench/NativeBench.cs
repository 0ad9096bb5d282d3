using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Dialtone.WebRtc.Bench;

/// <summary>
/// Runs the shim's own C++ benchmark, dt_native_bench (native/webrtc-shim/bench, built by
/// `build/build-webrtc.sh --bench` into artifacts/obj/native/Release/bench/), as a subprocess with the
/// same scenario: `dt_native_bench &lt;calls&gt; &lt;seconds&gt;` prints
/// "native calls=N seconds=S wall_s=W cpu_ms=C cpu_ms_per_call_second=P audio_ok=0|1".
/// </summary>
public static partial class NativeBench
{
    public static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "artifacts", "obj", "native", "Release", "bench", "dt_native_bench");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>CPU milliseconds per wall second for <paramref name="calls"/> calls; null when the program is missing or failed.</summary>
    public static CallCpu? Measure(int calls, int seconds)
    {
        string? path = Locate();
        if (path is null)
        {
            Console.Error.WriteLine("dt_native_bench not found: build it with build/build-webrtc.sh --bench");
            return null;
        }

        var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(calls.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var m = ResultLine().Match(stdout);
        if (!m.Success)
        {
            Console.Error.WriteLine($"dt_native_bench {calls} {seconds} failed ({process.ExitCode}): {stdout} {stderr.Result}");
            return null;
        }

        double wall = double.Parse(m.Groups["wall"].Value, CultureInfo.InvariantCulture);
        double cpu = double.Parse(m.Groups["cpu"].Value, CultureInfo.InvariantCulture);
        bool audioOk = m.Groups["ok"].Value == "1";
        return new CallCpu(calls, cpu / wall, audioOk);
    }

    [GeneratedRegex(@"wall_s=(?<wall>[0-9.]+) cpu_ms=(?<cpu>[0-9.]+) .*audio_ok=(?<ok>[01])")]
    private static partial Regex ResultLine();
}

/// <summary>CPU milliseconds per wall-clock second with N calls up, and whether the tones got through.</summary>
public sealed record CallCpu(int Calls, double CpuMsPerSecond, bool AudioOk)
{
    public double CpuMsPerCallSecond => CpuMsPerSecond / Calls;
}
