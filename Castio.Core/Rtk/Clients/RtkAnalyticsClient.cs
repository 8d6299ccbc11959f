using System.Globalization;

namespace Castio.Core.Rtk;

/// <summary>RTK usage analytics: <c>/{app}/analytics</c>.</summary>
public sealed class RtkAnalyticsClient : RtkApiClient
{
    internal RtkAnalyticsClient(RtkConnection api) : base(api) { }

    public async Task<RtkDaywiseAnalytics> GetDaywiseAsync(string appId, DateOnly startDate, DateOnly endDate, CancellationToken cancellationToken = default)
    {
        Guard(appId);
        if (endDate < startDate) throw new ArgumentOutOfRangeException(nameof(endDate), "endDate is before startDate.");
        var q = new Query().Add("start_date", startDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Add("end_date", endDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return Required((await Api.GetAsync(RtkRoutes.DaywiseAnalytics(Acc, appId) + q, Ctx.RtkEnvelopeRtkDaywiseAnalytics, cancellationToken)).Data);
    }
}
