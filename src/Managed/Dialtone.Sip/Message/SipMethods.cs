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
    internal static string Intern(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("ACK"u8) => Ack,
        3 when method.SequenceEqual("BYE"u8) => Bye,
        4 when method.SequenceEqual("INFO"u8) => Info,
        5 when method.SequenceEqual("PRACK"u8) => Prack,
        5 when method.SequenceEqual("REFER"u8) => Refer,
        6 when method.SequenceEqual("INVITE"u8) => Invite,
        6 when method.SequenceEqual("CANCEL"u8) => Cancel,
        6 when method.SequenceEqual("UPDATE"u8) => Update,
        6 when method.SequenceEqual("NOTIFY"u8) => Notify,
        7 when method.SequenceEqual("OPTIONS"u8) => Options,
        7 when method.SequenceEqual("MESSAGE"u8) => Message,
        7 when method.SequenceEqual("PUBLISH"u8) => Publish,
        8 when method.SequenceEqual("REGISTER"u8) => Register,
        9 when method.SequenceEqual("SUBSCRIBE"u8) => Subscribe,
        _ => System.Text.Encoding.UTF8.GetString(method),
    };

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
