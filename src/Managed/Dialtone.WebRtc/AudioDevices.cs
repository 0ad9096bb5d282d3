using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dialtone.Bindings;
using Dialtone.WebRtc.Interop;

namespace Dialtone.WebRtc;

/// <summary>A microphone or speaker of a PulseAudio server.</summary>
/// <param name="Id">PulseAudio's name: what <see cref="PeerConnectionFactoryOptions.InputDevice"/>/<see cref="PeerConnectionFactoryOptions.OutputDevice"/> take.</param>
/// <param name="Description">The human-readable name (also accepted by the options).</param>
/// <param name="IsDefault">The server's default source or sink.</param>
public sealed record AudioDeviceInfo(string Id, string Description, AudioDeviceDirection Direction, bool IsDefault);

/// <summary>The audio device of a factory stopped working; the calls go on with silence in that direction.</summary>
public sealed class AudioDeviceErrorEventArgs(AudioDeviceDirection direction, string message) : EventArgs
{
    public AudioDeviceDirection Direction { get; } = direction;

    public string Message { get; } = message;
}

/// <summary>Lists the real audio devices (PulseAudio sources and sinks; PipeWire serves the same API).</summary>
public static unsafe class AudioDevices
{
    /// <summary>
    /// The microphones (sources, including the monitors of sinks, whose id ends in ".monitor") or
    /// speakers (sinks) of <paramref name="server"/> (null: the default server). Blocks up to 5 s;
    /// throws <see cref="WebRtcException"/> (AudioDevice) when the server cannot be reached.
    /// </summary>
    public static IReadOnlyList<AudioDeviceInfo> List(AudioDeviceDirection direction, string? server = null)
    {
        if (!Enum.IsDefined(direction))
        {
            throw new ArgumentOutOfRangeException(nameof(direction), direction, "unknown direction");
        }

        NativeLibraryLoader.EnsureLoaded();
        var found = new List<AudioDeviceInfo>();
        var state = new ListState(found, direction);
        var gc = GCHandle.Alloc(state);
        try
        {
            ThrowHelper.ThrowIfFailed(
                WebRtcShim.dt_audio_devices_list(server, (DtAudioDirection)direction, &OnDevice, (void*)GCHandle.ToIntPtr(gc)),
                "dt_audio_devices_list");
        }
        finally
        {
            gc.Free();
        }

        return found;
    }

    // Runs on the calling thread, inside dt_audio_devices_list.
    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static void OnDevice(void* userData, byte* id, byte* description, byte isDefault)
    {
        try
        {
            if (GCHandle.FromIntPtr((nint)userData).Target is ListState state)
            {
                state.Devices.Add(new AudioDeviceInfo(Utf8.FromNullTerminated(id), Utf8.FromNullTerminated(description), state.Direction, isDefault != 0));
            }
        }
        catch (Exception)
        {
            // Never let an exception cross into native code.
        }
    }

    private sealed record ListState(List<AudioDeviceInfo> Devices, AudioDeviceDirection Direction);
}
