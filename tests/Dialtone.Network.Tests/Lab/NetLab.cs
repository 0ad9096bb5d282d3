namespace Dialtone.Network.Tests.Lab;

/// <summary>
/// The namespace lab of tests/infra/netlab/lab.sh, built once per test collection and always torn
/// down: at the end, when the test host exits, and (for a host that was killed) by the next run's
/// "up", which removes every namespace of its prefix first.
/// </summary>
public sealed class NetLab : IAsyncLifetime
{
    public const string SipIp = "203.0.113.10";
    public const string TurnIp = "203.0.113.20";

    /// <summary>An address on the public bridge where nothing answers (a STUN server that is down).</summary>
    public const string Unanswered = "203.0.113.30";
    public const int Homes = 3;

    /// <summary>The lab's test CA (Kamailio's and coturn's certificates).</summary>
    public string CaFile { get; } = Path.Combine(WorkDir, "certs", "ca.pem");

    /// <summary>A CA that signed none of the lab's certificates.</summary>
    public static string OtherCaFile => Path.Combine(WorkDir, "certs", "other-ca.pem");

    /// <summary>The lab's namespaces are named Prefix-pub, Prefix-r1, Prefix-h1, … ($NETLAB_PREFIX, default "nl").</summary>
    public static string Prefix => LabAgent.Prefix;

    public static string WorkDir { get; } = Environment.GetEnvironmentVariable("NETLAB_DIR") ?? $"/tmp/{Prefix}-lab";

    public string SipTcp => $"sip:{SipIp}:5060;transport=tcp";

    public string SipWss => $"wss://{SipIp}:8443/";

    public string Stun => $"stun:{TurnIp}:3478";

    public static readonly string[] TurnCredentials = ["--ice-user", "lab", "--ice-password", "lab-secret"];

    public string TurnUdp => $"turn:{TurnIp}:3478?transport=udp";

    public string TurnTcp => $"turn:{TurnIp}:3478?transport=tcp";

    public string TurnTls => $"turns:{TurnIp}:5349?transport=tcp";

    /// <summary>coturn's TLS port by name (turn.lab.test, in each home's /etc/netns hosts file): libwebrtc matches a turns: certificate's DNS names only.</summary>
    public string TurnTlsByName => "turns:turn.lab.test:5349?transport=tcp";

    public async Task InitializeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Down();
        await RunAsync("up", Homes.ToString());
    }

    public Task DisposeAsync()
    {
        Down();
        return Task.CompletedTask;
    }

    /// <summary>Home <paramref name="home"/>'s router becomes a NAT of <paramref name="kind"/>: cone, symmetric, udp-blocked.</summary>
    public Task NatAsync(int home, string kind) => RunAsync("nat", home.ToString(), kind);

    /// <summary>Home <paramref name="home"/>'s router drops this share of the UDP it forwards.</summary>
    public Task LossAsync(int home, int percent) => RunAsync("loss", home.ToString(), percent.ToString());

    /// <summary>
    /// Home <paramref name="home"/>'s routers hold every packet they forward (both ways) <paramref name="ms"/>
    /// ± <paramref name="jitterMs"/> ms (uniform; lab.sh delay, tests/infra/netlab/delay.py); 0 = none.
    /// </summary>
    public Task DelayAsync(int home, int ms, int jitterMs = 0) => RunAsync("delay", home.ToString(), ms.ToString(), jitterMs.ToString());

    private static void Down()
    {
        try
        {
            RunAsync("down").Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // best effort at exit; the next "up" removes leftovers
        }
    }

    public static Task RunAsync(params string[] args) => LabScript.RunAsync(args);
}

[CollectionDefinition(Name)]
public sealed class NetLabCollection : ICollectionFixture<NetLab>
{
    public const string Name = "network lab";
}
