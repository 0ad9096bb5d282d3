using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>
/// libwebrtc's threads, codecs (Opus, G.722, PCMU, PCMA, telephone-event), one audio device and the
/// audio processing module. Create one per audio device; every <see cref="PeerConnection"/> made
/// from it shares them. Disposing the factory drops the application's reference: peer connections
/// still open keep the native factory alive until they are disposed.
/// </summary>
public sealed unsafe class PeerConnectionFactory : IDisposable
{
    private readonly FactoryHandle handle;
    private AudioProcessingOptions audioProcessing;

    public PeerConnectionFactory(PeerConnectionFactoryOptions? options = null)
    {
        Options = options ?? new PeerConnectionFactoryOptions();
        Options.Validate();
        NativeLibraryLoader.EnsureLoaded();

        audioProcessing = Options.AudioProcessing;
        byte* input = Utf8.Allocate(Options.WavInputPath);
        byte* output = Utf8.Allocate(Options.WavOutputPath);
        try
        {
            var native = new DtFactoryOptions
            {
                StructSize = (uint)sizeof(DtFactoryOptions),
                AudioDevice = (DtAudioDeviceKind)Options.AudioDevice,
                SampleRateHz = (uint)Options.SampleRate,
                Channels = (uint)Options.Channels,
                WavInputPath = input,
                WavLoopInput = Options.LoopWavInput ? (byte)1 : (byte)0,
                WavOutputPath = output,
                AudioProcessing = ToNative(Options.AudioProcessing),
            };
            handle = FactoryHandle.Create(&native);
        }
        finally
        {
            Utf8.Free(input);
            Utf8.Free(output);
        }

        if (Options.AudioDevice == AudioDeviceKind.Virtual)
        {
            VirtualAudio = new VirtualAudioDevice(handle, Options.SampleRate, Options.Channels);
        }
    }

    public PeerConnectionFactoryOptions Options { get; }

    /// <summary>The push/pull audio device; null unless the factory was made with <see cref="AudioDeviceKind.Virtual"/>.</summary>
    public VirtualAudioDevice? VirtualAudio { get; }

    /// <summary>The audio processing switches in force.</summary>
    public AudioProcessingOptions AudioProcessing => Volatile.Read(ref audioProcessing);

    internal FactoryHandle Handle => handle;

    /// <summary>Changes the audio processing switches; takes effect on the next 10 ms frame, also mid-call.</summary>
    public void SetAudioProcessing(AudioProcessingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var native = ToNative(options);
        using (new HandleScope(handle))
        {
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_factory_set_audio_processing(handle.Pointer, &native), "dt_factory_set_audio_processing");
        }

        Volatile.Write(ref audioProcessing, options);
    }

    /// <summary>Creates a peer connection (Unified Plan, DTLS-SRTP). Dispose it with <c>await using</c>.</summary>
    public PeerConnection CreatePeerConnection(PeerConnectionConfiguration? configuration = null)
    {
        configuration ??= new PeerConnectionConfiguration();
        configuration.Validate();
        return new PeerConnection(this, configuration);
    }

    public void Dispose() => handle.Dispose();

    private static DtAudioProcessingOptions ToNative(AudioProcessingOptions o)
    {
        if (!Enum.IsDefined(o.NoiseSuppressionLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(o.NoiseSuppressionLevel), o.NoiseSuppressionLevel, "unknown level");
        }

        return new DtAudioProcessingOptions
        {
            StructSize = (uint)sizeof(DtAudioProcessingOptions),
            EchoCancellation = o.EchoCancellation ? (byte)1 : (byte)0,
            NoiseSuppression = o.NoiseSuppression ? (byte)1 : (byte)0,
            NoiseSuppressionLevel = (DtNoiseSuppressionLevel)o.NoiseSuppressionLevel,
            AutoGainControl = o.AutoGainControl ? (byte)1 : (byte)0,
            HighPassFilter = o.HighPassFilter ? (byte)1 : (byte)0,
        };
    }
}
