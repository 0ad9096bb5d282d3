using Dialtone.Phone.Quality;

namespace Dialtone.Phone.Tests.Quality;

public sealed class EModelTests
{
    [Fact]
    public void A_clean_lan_call_rates_near_the_top()
    {
        var mos = EModel.EstimateMos(roundTripMs: 1, jitterMs: 1, packetLossPercent: 0);
        Assert.InRange(mos, 4.3, 4.5);
    }

    [Fact]
    public void Delay_beyond_177_ms_costs_more_per_millisecond()
    {
        var below = EModel.RatingFactor(100, 0) - EModel.RatingFactor(150, 0);
        var above = EModel.RatingFactor(250, 0) - EModel.RatingFactor(300, 0);
        Assert.True(above > 3 * below, $"{above} vs {below}");
    }

    [Theory]
    [InlineData(1, 4.2, 4.35)]
    [InlineData(5, 3.7, 4.0)]
    [InlineData(20, 2.3, 2.8)]
    // Expected ranges worked out by hand from G.107 with G.113 Bpl 25.1: R = 93.2 - Id - 95p/(p+25.1).
    public void Loss_lowers_the_score(double lossPercent, double low, double high) =>
        Assert.InRange(EModel.EstimateMos(20, 5, lossPercent), low, high);

    [Fact]
    public void Mos_mapping_is_bounded()
    {
        Assert.Equal(1, EModel.MeanOpinionScore(-5));
        Assert.Equal(4.5, EModel.MeanOpinionScore(120));
    }
}
