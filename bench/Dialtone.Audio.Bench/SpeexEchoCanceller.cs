using System.Diagnostics;
using System.Runtime.InteropServices;
using Dialtone.WebRtc.Tests.Echo;

namespace Dialtone.Audio.Bench;

/// <summary>
/// Speex's echo canceller (Debian libspeexdsp: the MDF adaptive filter, optionally followed by
/// its preprocessor's residual echo suppressor and denoiser), run on the same scenario as AEC3.
/// </summary>
/// <remarks>
/// Hand-written P/Invoke is acceptable here, against the project rule that all P/Invoke is
/// generated from webrtc_shim.h: libspeexdsp is a benchmark comparator, not product code, no
/// Dialtone library references it, and the five entry points below are its stable, documented C API
/// (speex/speex_echo.h, speex/speex_preprocess.h).
/// </remarks>
internal static unsafe partial class SpeexEchoCanceller
{
    private const string Library = "libspeexdsp.so.1";
    private const int SpeexEchoSetSamplingRate = 24;      // SPEEX_ECHO_SET_SAMPLING_RATE
    private const int SpeexPreprocessSetDenoise = 0;       // SPEEX_PREPROCESS_SET_DENOISE
    private const int SpeexPreprocessSetEchoState = 24;    // SPEEX_PREPROCESS_SET_ECHO_STATE

    /// <param name="filterMs">Length of the adaptive filter (echo delay + tail it can model).</param>
    /// <param name="preprocessor">
    /// Also run Speex's preprocessor on the output with the echo state attached: its residual echo
    /// suppression only acts inside the denoiser's spectral gain, so denoise is on there (default level).
    /// </param>
    public static EchoCancellerRun Run(EchoScenario s, int filterMs, bool preprocessor)
    {
        int frame = s.SamplesPer10Ms, frames = s.Microphone.Length / frame;
        var output = new short[s.Microphone.Length];
        nint echo = speex_echo_state_init(frame, filterMs * s.SampleRate / 1000);
        if (echo == 0)
        {
            throw new InvalidOperationException("speex_echo_state_init failed");
        }

        nint preprocess = 0;
        try
        {
            int rate = s.SampleRate;
            speex_echo_ctl(echo, SpeexEchoSetSamplingRate, &rate);
            if (preprocessor)
            {
                preprocess = speex_preprocess_state_init(frame, s.SampleRate);
                int on = 1;
                speex_preprocess_ctl(preprocess, SpeexPreprocessSetDenoise, &on);
                speex_preprocess_ctl(preprocess, SpeexPreprocessSetEchoState, (void*)echo);
            }

            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
            fixed (short* mic = s.Microphone)
            fixed (short* far = s.FarEnd)
            fixed (short* o = output)
            {
                for (int f = 0; f < frames; f++)
                {
                    int at = f * frame;
                    speex_echo_cancellation(echo, mic + at, far + at, o + at);
                    if (preprocess != 0)
                    {
                        speex_preprocess_run(preprocess, o + at);
                    }
                }
            }

            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            return new EchoCancellerRun(output, cpu, frames);
        }
        finally
        {
            if (preprocess != 0)
            {
                speex_preprocess_state_destroy(preprocess);
            }

            speex_echo_state_destroy(echo);
        }
    }

    [LibraryImport(Library)]
    private static partial nint speex_echo_state_init(int frameSize, int filterLength);

    [LibraryImport(Library)]
    private static partial void speex_echo_state_destroy(nint state);

    [LibraryImport(Library)]
    private static partial void speex_echo_cancellation(nint state, short* rec, short* play, short* output);

    [LibraryImport(Library)]
    private static partial int speex_echo_ctl(nint state, int request, void* value);

    [LibraryImport(Library)]
    private static partial nint speex_preprocess_state_init(int frameSize, int samplingRate);

    [LibraryImport(Library)]
    private static partial void speex_preprocess_state_destroy(nint state);

    [LibraryImport(Library)]
    private static partial int speex_preprocess_run(nint state, short* x);

    [LibraryImport(Library)]
    private static partial int speex_preprocess_ctl(nint state, int request, void* value);
}
