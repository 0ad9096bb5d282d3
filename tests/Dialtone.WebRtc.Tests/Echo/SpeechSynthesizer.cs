using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Dialtone.Tests.Shared;

namespace Dialtone.WebRtc.Tests.Echo;

/// <summary>
/// Real speech for the echo tests: espeak-ng (Debian package, installed by tests/infra/install-audio.sh)
/// renders a text to a 16-bit WAV, which is resampled to the rate asked for. Results are cached in
/// the temp folder by voice, text and rate, so a test run calls espeak-ng once per sentence set.
/// </summary>
public static class SpeechSynthesizer
{
    /// <summary>Speech of <paramref name="text"/> spoken by <paramref name="voice"/> (an espeak-ng voice such as "en-us" or "en-gb+f3").</summary>
    public static short[] Speak(string voice, string text, int sampleRate, int wordsPerMinute = 160)
    {
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{voice}|{wordsPerMinute}|{text}")))[..16];
        string dir = Path.Combine(Path.GetTempPath(), "dialtone-speech");
        Directory.CreateDirectory(dir);
        string wav = Path.Combine(dir, $"{key}.wav");
        if (!File.Exists(wav))
        {
            string partial = wav + $".{Environment.ProcessId}.tmp";
            Run("espeak-ng", ["-v", voice, "-s", wordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", partial, text]);
            File.Move(partial, wav, overwrite: true);
        }

        var (samples, rate, _) = WavFile.Read(wav);
        return Resampler.Resample(samples, rate, sampleRate);
    }

    private static void Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed (run tests/infra/install-audio.sh): {e.Message}", e);
        }

        using (process)
        {
            string error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(60_000))
            {
                process.Kill();
                throw new TimeoutException($"{program} did not finish in 60 s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {error}");
            }
        }
    }
}

/// <summary>Band-limited (windowed-sinc) resampling between arbitrary rates; good enough for test speech.</summary>
public static class Resampler
{
    public static short[] Resample(short[] input, int fromRate, int toRate)
    {
        if (fromRate == toRate)
        {
            return input;
        }

        const int HalfWidth = 16;
        double ratio = (double)toRate / fromRate;
        double cutoff = Math.Min(1.0, ratio) * 0.95;   // of the input Nyquist
        int length = (int)((long)input.Length * toRate / fromRate);
        var output = new short[length];
        double scale = HalfWidth / cutoff;
        for (int n = 0; n < length; n++)
        {
            double x = n / ratio;
            int center = (int)Math.Floor(x);
            double acc = 0;
            int first = center - (int)Math.Ceiling(scale) + 1, last = center + (int)Math.Ceiling(scale);
            for (int k = Math.Max(first, 0); k <= Math.Min(last, input.Length - 1); k++)
            {
                double t = x - k;
                double u = t * cutoff;
                double sinc = Math.Abs(u) < 1e-9 ? 1.0 : Math.Sin(Math.PI * u) / (Math.PI * u);
                double w = Math.Abs(t) >= scale ? 0 : 0.5 + 0.5 * Math.Cos(Math.PI * t / scale);   // Hann
                acc += input[k] * cutoff * sinc * w;
            }

            output[n] = (short)Math.Clamp(Math.Round(acc), short.MinValue, short.MaxValue);
        }

        return output;
    }
}
