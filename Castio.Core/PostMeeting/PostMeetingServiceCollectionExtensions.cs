using Azure.Data.Tables;
using Castio.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Core.PostMeeting;

public static class PostMeetingServiceCollectionExtensions
{
    /// <summary>
    /// The post-meeting store, projections and analytics (singletons) and the orchestration's activity service
    /// (transient, like the typed RtkClient it uses). Needs storage, RTK, orgs and meetings.
    /// </summary>
    public static IServiceCollection AddPostMeeting(this IServiceCollection services)
    {
        services.AddOptions<PostMeetingOptions>().BindConfiguration(PostMeetingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new PostMeetingStore(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix));
        services.AddSingleton<SessionProjections>();
        services.AddSingleton<SessionAnalytics>();
        services.AddHttpClient(PostMeetingWork.DownloadClient, http => http.Timeout = TimeSpan.FromMinutes(10));
        services.AddTransient<MeetingCloser>();
        services.AddTransient<PostMeetingWork>();
        services.AddSingleton<PostMeetingRecovery>();
        return services;
    }
}
