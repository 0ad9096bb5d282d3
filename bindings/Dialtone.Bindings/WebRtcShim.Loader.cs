namespace Dialtone.Bindings;

// Hand-written half of the generated partial class: the static constructor runs before the first
// P/Invoke of WebRtcShim, so the library resolver is always in place. It never throws.
internal static unsafe partial class WebRtcShim
{
    static WebRtcShim() => NativeLibraryLoader.Register();
}
