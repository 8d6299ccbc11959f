using Castio.Core.Joining;
using Castio.Core.Retention;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Joining;

public class ParticipantCountersTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ParticipantStore NewStore(string prefix) => new(azurite.Tables, new ExpiryStore(azurite.Tables, prefix), prefix);

    [Fact]
    public async Task SixtyFourConcurrentAdmissionsOnTwoInstancesLoseNoUpdate()
    {
        var prefix = AzuriteFixture.UniqueName("pc");
        // Two counters on one table stand for two app instances: only the row's ETag keeps them honest.
        var instances = new[] { new ParticipantCounters(NewStore(prefix)), new ParticipantCounters(NewStore(prefix)) };
        var (org, meeting) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        var admissions = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(() => instances[i % 2].AdmitAsync(org, meeting, "rtk-1", guest: i % 4 == 0, maxParticipants: 100, maxGuests: 50), Ct)));

        Assert.All(admissions, a => Assert.True(a.Admitted));
        Assert.Equal((64, 16), await instances[0].ReadAsync(org, meeting, "rtk-1", Ct));
    }

    [Fact]
    public async Task ConcurrentAdmissionsNeverExceedTheCapsAndEachRefusalNamesACap()
    {
        var prefix = AzuriteFixture.UniqueName("pc");
        var instances = new[] { new ParticipantCounters(NewStore(prefix)), new ParticipantCounters(NewStore(prefix)) };
        var (org, meeting) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        var admissions = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(() => instances[i % 2].AdmitAsync(org, meeting, "rtk-1", guest: i % 2 == 0, maxParticipants: 40, maxGuests: 20), Ct)));

        // Which cap refuses whom depends on arrival order; the counts and the refusals' reasons do not.
        Assert.Equal(40, admissions.Count(a => a.Admitted));
        Assert.All(admissions.Where(a => !a.Admitted), a => Assert.Contains(a.FullCap, new[] { JoinErrors.GuestsPerMeeting, JoinErrors.ParticipantsPerMeeting }));
        var admittedGuests = admissions.Where((a, i) => a.Admitted && i % 2 == 0).Count();
        var (participants, guests) = await instances[1].ReadAsync(org, meeting, "rtk-1", Ct);
        Assert.Equal(40, participants);
        Assert.Equal(admittedGuests, guests);
        Assert.InRange(guests, 8, 20);
    }

    [Fact]
    public async Task AReleasedPlaceCanBeTakenAgainFromAnotherInstance()
    {
        var prefix = AzuriteFixture.UniqueName("pc");
        var (a, b) = (new ParticipantCounters(NewStore(prefix)), new ParticipantCounters(NewStore(prefix)));
        var (org, meeting) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        Assert.True((await a.AdmitAsync(org, meeting, "rtk-1", false, 1, 1)).Admitted);
        Assert.False((await b.AdmitAsync(org, meeting, "rtk-1", false, 1, 1)).Admitted);
        await b.ReleaseAsync(org, meeting, "rtk-1", false);

        // a still remembers the full counter; its refusal must be checked against storage, which has room.
        Assert.True((await a.AdmitAsync(org, meeting, "rtk-1", false, 1, 1)).Admitted);
    }
}
