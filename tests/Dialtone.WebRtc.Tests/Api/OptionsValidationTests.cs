namespace Dialtone.WebRtc.Tests.Api;

/// <summary>Bad options fail up front with a clear exception, before any native call.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void WavDeviceNeedsAnExistingInputFile()
    {
        var e = Assert.Throws<FileNotFoundException>(() => new PeerConnectionFactory(new PeerConnectionFactoryOptions
        {
            AudioDevice = AudioDeviceKind.WavFile,
            WavInputPath = Path.Combine(Path.GetTempPath(), "dialtone-does-not-exist.wav"),
        }));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(12345, 1)]
    [InlineData(48000, 3)]
    public void UnsupportedPcmFormatIsRefused(int rate, int channels)
    {
        Assert.ThrowsAny<ArgumentException>(() => new PeerConnectionFactory(new PeerConnectionFactoryOptions
        {
            AudioDevice = AudioDeviceKind.Virtual,
            SampleRate = rate,
            Channels = channels,
        }));
    }

    [Fact]
    public void IceServerUrlsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => new IceServer("http://example.org"));
        Assert.Throws<ArgumentException>(() => new IceServer(Array.Empty<string>()));
        var turn = new IceServer("turn:turn.example.org:3478?transport=udp", "alice", "s3cret");
        Assert.DoesNotContain("s3cret", turn.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DataChannelOptionsAllowOnlyOneReliabilityLimit()
    {
        var options = new DataChannelOptions { MaxRetransmits = 2, MaxPacketLifeTime = TimeSpan.FromSeconds(1) };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Fact]
    public void PortRangeMustBeComplete()
    {
        Assert.Throws<ArgumentException>(new PeerConnectionConfiguration { MinPort = 40000 }.Validate);
        Assert.Throws<ArgumentException>(new PeerConnectionConfiguration { MinPort = 40010, MaxPort = 40000 }.Validate);
        new PeerConnectionConfiguration { MinPort = 40000, MaxPort = 40010 }.Validate();
    }
}
