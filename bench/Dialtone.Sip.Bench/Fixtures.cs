namespace Dialtone.Sip.Bench;

/// <summary>The benchmark messages, embedded byte-exact.</summary>
internal static class Fixtures
{
    public static byte[] Invite { get; } = Load("plivo-invite.sip");

    public static byte[] Register { get; } = Load("register.sip");

    public static byte[] Linphone488 { get; } = Load("linphone-488-response.sip");

    private static byte[] Load(string name)
    {
        using var stream = typeof(Fixtures).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
