using Castio.Core.Auth;

namespace Castio.Tests.Auth;

public class PasswordHasherTests
{
    // A low count keeps the suite fast; the production count is checked separately below.
    private readonly PasswordHasher _hasher = new(1_000);

    [Fact]
    public void DefaultHasherUsesOwaspIterationCount()
    {
        var hash = new PasswordHasher().Hash("correct horse battery staple");

        Assert.StartsWith("$pbkdf2-sha256$i=600000$", hash);
    }

    [Fact]
    public void CorrectPasswordVerifies()
    {
        var hash = _hasher.Hash("correct horse battery staple");

        Assert.Equal(PasswordVerification.Success, _hasher.Verify(hash, "correct horse battery staple"));
    }

    [Fact]
    public void WrongPasswordFails()
    {
        var hash = _hasher.Hash("correct horse battery staple");

        Assert.Equal(PasswordVerification.Failed, _hasher.Verify(hash, "correct horse battery stapler"));
    }

    [Fact]
    public void SamePasswordHashesDifferentlyEachTime()
    {
        Assert.NotEqual(_hasher.Hash("correct horse battery staple"), _hasher.Hash("correct horse battery staple"));
    }

    [Fact]
    public void HashWithFewerIterationsThanCurrentAsksForRehash()
    {
        var old = new PasswordHasher(500).Hash("correct horse battery staple");

        Assert.Equal(PasswordVerification.SuccessRehashNeeded, _hasher.Verify(old, "correct horse battery staple"));
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify(old, "wrong horse battery staple"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("$pbkdf2-sha256$i=abc$AAAA$AAAA")]
    [InlineData("$pbkdf2-sha256$i=99999999$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$md5$i=1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("$pbkdf2-sha256$i=1000$!!!!$AAAA")]
    public void MalformedStoredHashFailsInsteadOfThrowing(string stored)
    {
        Assert.Equal(PasswordVerification.Failed, _hasher.Verify(stored, "correct horse battery staple"));
    }

    [Theory]
    [InlineData("short", false)]
    [InlineData("elevenchars", false)]
    [InlineData("twelve chars", true)]
    [InlineData("😀😀😀😀😀😀😀😀😀😀😀", false)]
    [InlineData("😀😀😀😀😀😀😀😀😀😀😀😀", true)]
    public void PasswordPolicyCountsCharactersNotComposition(string password, bool ok)
    {
        Assert.Equal(ok, PasswordPolicy.Check(password) is null);
    }

    [Fact]
    public void PasswordPolicyRefusesMoreThan256Characters()
    {
        Assert.Null(PasswordPolicy.Check(new string('a', 256)));
        Assert.NotNull(PasswordPolicy.Check(new string('a', 257)));
        Assert.NotNull(PasswordPolicy.Check(new string('a', 100_000)));
        Assert.NotNull(PasswordPolicy.Check(null));
    }
}
