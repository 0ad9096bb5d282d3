using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    private double microphoneVolume = 1;
    private double speakerVolume = 1;
    private bool microphoneMuted;
    private bool speakerMuted;
    private volatile bool disposed;
    private AudioProcessingOptions audioProcessing;

    public PeerConnectionFactory(PeerConnectionFactoryOptions? options = null)
    {
        Options = options ?? new PeerConnectionFactoryOptions();
        Options.Validate();
        NativeLibraryLoader.EnsureLoaded();

        audioProcessing = Options.AudioProcessing;
        byte* input = Utf8.Allocate(Options.WavInputPath);
        byte* output = Utf8.Allocate(Options.WavOutputPath);
        byte* server = Utf8.Allocate(Options.AudioServer);
        byte* inputDevice = Utf8.Allocate(Options.InputDevice);
        byte* outputDevice = Utf8.Allocate(Options.OutputDevice);
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
                AudioProcessing = AudioProcessingConversion.ToNative(Options.AudioProcessing),
                AudioServer = server,
                InputDevice = inputDevice,
                OutputDevice = outputDevice,
                OpusSampleRateHz = (uint)Options.OpusSampleRate,
                MediaThreads = (uint)Options.MediaThreads,
                EngineThreads = (uint)Options.EngineThreads,
            };
            handle = FactoryHandle.Create(&native);
        }
        finally
        {
            Utf8.Free(input);
            Utf8.Free(output);
            Utf8.Free(server);
            Utf8.Free(inputDevice);
            Utf8.Free(outputDevice);
        }

        if (Options.TlsTrustedCertificates is { } trusted)
        {
            try
            {
                SetTlsTrustedCertificates(trusted);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        if (Options.AudioDevice == AudioDeviceKind.PulseAudio)
        {
            // Weak: the native device must not keep this object alive. The handle owns it and frees
            // it after the native release returned — not at Dispose: open peer connections keep
            // the native factory (and its device, which may still report) alive until then.
            var events = GCHandle.Alloc(this, GCHandleType.Weak);
            handle.OwnCallbackHandle(events);
            var callbacks = new DtFactoryCallbacks { StructSize = (uint)sizeof(DtFactoryCallbacks), OnAudioDeviceError = &OnAudioDeviceError };
            using (new HandleScope(handle))
            {
                ThrowHelper.ThrowIfFailed(WebRtcShim.dt_factory_set_callbacks(handle.Pointer, &callbacks, (void*)GCHandle.ToIntPtr(events)), "dt_factory_set_callbacks");
            }
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
        var native = AudioProcessingConversion.ToNative(options);
        using (new HandleScope(handle))
        {
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_factory_set_audio_processing(handle.Pointer, &native), "dt_factory_set_audio_processing");
        }

        Volatile.Write(ref audioProcessing, options);
    }

    /// <summary>
    /// Replaces the CAs trusted for <c>turns:</c> servers (see <see cref="PeerConnectionFactoryOptions.TlsTrustedCertificates"/>)
    /// for peer connections created from now on; null or "" removes them.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not PEM, a block is damaged, or it holds no certificate (the previous set stays).</exception>
    public void SetTlsTrustedCertificates(string? pem)
    {
        using (new HandleScope(handle))
        {
            int result = WebRtcShim.dt_factory_set_tls_trusted_certificates(handle.Pointer, pem);
            if (result == (int)DtResultCode.ErrorInvalidArgument)
            {
                throw new ArgumentException($"The trusted TLS certificates were refused: {ThrowHelper.LastErrorMessage()}", nameof(pem));
            }

            ThrowHelper.ThrowIfFailed(result, "dt_factory_set_tls_trusted_certificates");
        }
    }

    /// <summary>
    /// Tells libwebrtc that the machine's network interfaces or addresses changed: it enumerates them
    /// now instead of at its next poll (every 2 s on Linux), so an ICE restart made right after
    /// gathers candidates on the new address. Returns at once; harmless when nothing changed.
    /// </summary>
    public void NotifyNetworkChanged()
    {
        using (new HandleScope(handle))
        {
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_factory_notify_network_change(handle.Pointer), "dt_factory_notify_network_change");
        }
    }

    /// <summary>Creates a peer connection (Unified Plan, DTLS-SRTP). Dispose it with <c>await using</c>.</summary>
    public PeerConnection CreatePeerConnection(PeerConnectionConfiguration? configuration = null)
    {
        configuration ??= new PeerConnectionConfiguration();
        configuration.Validate();
        return new PeerConnection(this, configuration);
    }

    /// <summary>
    /// <see cref="AudioDeviceKind.PulseAudio"/> only: software volume of the microphone (0..1, applied
    /// before processing and sending). The sound server's own volume is left alone.
    /// </summary>
    public double MicrophoneVolume
    {
        get => Volatile.Read(ref microphoneVolume);
        set => Volatile.Write(ref microphoneVolume, SetVolume(AudioDeviceDirection.Input, value));
    }

    /// <summary><see cref="AudioDeviceKind.PulseAudio"/> only: software volume of the speaker (0..1).</summary>
    public double SpeakerVolume
    {
        get => Volatile.Read(ref speakerVolume);
        set => Volatile.Write(ref speakerVolume, SetVolume(AudioDeviceDirection.Output, value));
    }

    /// <summary><see cref="AudioDeviceKind.PulseAudio"/> only: the microphone captures silence (the calls go on).</summary>
    public bool MicrophoneMuted
    {
        get => Volatile.Read(ref microphoneMuted);
        set => Volatile.Write(ref microphoneMuted, SetMuted(AudioDeviceDirection.Input, value));
    }

    /// <summary><see cref="AudioDeviceKind.PulseAudio"/> only: nothing is played (the calls go on).</summary>
    public bool SpeakerMuted
    {
        get => Volatile.Read(ref speakerMuted);
        set => Volatile.Write(ref speakerMuted, SetMuted(AudioDeviceDirection.Output, value));
    }

    /// <summary>
    /// The audio device stopped working (unplugged, sound server gone); calls go on with silence in
    /// that direction. Raised on a thread-pool thread; not raised once <see cref="Dispose"/> returned.
    /// </summary>
    public event EventHandler<AudioDeviceErrorEventArgs>? AudioDeviceError;

    public void Dispose()
    {
        disposed = true;
        handle.Dispose();   // released now, or when the last peer connection holding it is
    }

    private double SetVolume(AudioDeviceDirection direction, double volume)
    {
        if (!(volume >= 0 && volume <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(volume), volume, "must be 0..1");
        }

        using (new HandleScope(handle))
        {
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_factory_set_audio_device_volume(handle.Pointer, (DtAudioDirection)direction, (float)volume), "dt_factory_set_audio_device_volume");
        }

        return volume;
    }

    private bool SetMuted(AudioDeviceDirection direction, bool muted)
    {
        using (new HandleScope(handle))
        {
            ThrowHelper.ThrowIfFailed(WebRtcShim.dt_factory_set_audio_device_muted(handle.Pointer, (DtAudioDirection)direction, muted ? (byte)1 : (byte)0), "dt_factory_set_audio_device_muted");
        }

        return muted;
    }

    // Runs on the device's audio thread: copy, hand over to the thread pool, return.
    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnAudioDeviceError(void* userData, DtAudioDirection direction, byte* message)
    {
        try
        {
            if (GCHandle.FromIntPtr((nint)userData).Target is PeerConnectionFactory factory)
            {
                var args = new AudioDeviceErrorEventArgs((AudioDeviceDirection)direction, Utf8.FromNullTerminated(message));
                ThreadPool.UnsafeQueueUserWorkItem(static state =>
                {
                    try
                    {
                        if (!state.Factory.disposed)
                        {
                            state.Factory.AudioDeviceError?.Invoke(state.Factory, state.Args);
                        }
                    }
                    catch (Exception)
                    {
                        // An application handler's exception has no caller to go to.
                    }
                }, (Factory: factory, Args: args), preferLocal: false);
            }
        }
        catch (Exception)
        {
            // Never let an exception cross into native code.
        }
    }
}
