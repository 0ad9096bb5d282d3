using Dialtone.Sip.IntegrationTests.Infrastructure;

namespace Dialtone.Sip.IntegrationTests;

/// <summary>
/// Two test runs on one machine must not hand the same port to their children: FreePorts' per-port
/// lock is checked here against a real other process (util-linux flock, the same kernel lock).
/// </summary>
public sealed class FreePortsTests
{
    private static string LockFile(int port) => Path.Combine(FreePorts.ReservationDir, port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>True when another process could take the lock right now (flock -n exits 0).</summary>
    private static async Task<bool> OthersCanLockAsync(int port)
    {
        using var probe = new ChildProcess("flock", ["-n", LockFile(port), "true"]);
        return await probe.WaitForExitAsync(TimeSpan.FromSeconds(10)) == 0;
    }

    [Fact]
    public async Task A_port_handed_out_stays_locked_against_other_processes()
    {
        var port = FreePorts.Next();
        Assert.False(await OthersCanLockAsync(port), $"port {port} is handed out but another process could reserve it");
    }

    [Fact]
    public async Task A_port_another_process_holds_is_not_reserved_until_it_lets_go()
    {
        // A port nobody holds (not this process, not another run): reserve it, then let it go again.
        var port = FreePorts.Next() + 1;
        FileStream? ours;
        while ((ours = FreePorts.Reserve(port)) is null)
            port++;
        ours.Dispose();
        Assert.True(await OthersCanLockAsync(port));

        var holder = new ChildProcess("flock", [LockFile(port), "sleep", "60"]);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (await OthersCanLockAsync(port))
            {
                Assert.True(DateTime.UtcNow < deadline, "flock did not take the lock");
                await Task.Delay(50);
            }
            Assert.Null(FreePorts.Reserve(port));
        }
        finally
        {
            holder.Dispose();
        }
        // Released once flock and its sleep are gone (the kernel drops the lock with the last open descriptor).
        var released = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        FileStream? after;
        while ((after = FreePorts.Reserve(port)) is null && DateTime.UtcNow < released)
            await Task.Delay(50);
        Assert.NotNull(after);
        after.Dispose();
    }
}
