using Castio.Core.Retention;
using Azure.Data.Tables;
using Castio.Core.PostMeeting;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Castio.Core.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>The delivery ledger and the service that records and applies verified deliveries (with <see cref="PostMeetingServiceCollectionExtensions.AddPostMeeting"/>).</summary>
    public static IServiceCollection AddWebhookIngest(this IServiceCollection services)
    {
        services.AddPostMeeting();
        services.AddSingleton(sp => new WebhookLedger(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix, sp.GetRequiredService<ExpiryStore>()));
        services.AddSingleton<RtkMeetingResolver>();
        services.AddSingleton<WebhookService>();
        return services;
    }
}
