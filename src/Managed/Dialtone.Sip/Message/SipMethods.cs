namespace Dialtone.Sip.Message;

/// <summary>SIP method names (case-sensitive per RFC 3261 §7.1).</summary>
public static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Options = "OPTIONS";
    public const string Register = "REGISTER";
    public const string Message = "MESSAGE";
    public const string Info = "INFO";
    public const string Update = "UPDATE";
    public const string Refer = "REFER";
    public const string Notify = "NOTIFY";
    public const string Subscribe = "SUBSCRIBE";
    public const string Prack = "PRACK";
    public const string Publish = "PUBLISH";

    /// <summary>The shared constant for a known method given as ASCII bytes, else a new string.</summary>
    internal static string Intern(ReadOnlySpan<byte> method)
    {
        if (method.Length > 16)
            return System.Text.Encoding.UTF8.GetString(method);
        Span<char> chars = stackalloc char[method.Length];
        var n = System.Text.Encoding.UTF8.GetChars(method, chars);
        return Intern(chars[..n]);
    }

    /// <summary>Returns the shared constant for a known method so parsing does not allocate it.</summary>
    internal static string Intern(ReadOnlySpan<char> method) => method switch
    {
        Invite => Invite,
        Ack => Ack,
        Bye => Bye,
        Cancel => Cancel,
        Options => Options,
        Register => Register,
        Message => Message,
        Info => Info,
        Update => Update,
        Refer => Refer,
        Notify => Notify,
        Subscribe => Subscribe,
        Prack => Prack,
        Publish => Publish,
        _ => method.ToString(),
    };
}
