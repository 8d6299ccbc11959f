using Castio.Core.Common;
using Castio.Core.Users;

namespace Castio.Tests.Users;

public class UserRulesTests
{
    [Theory]
    [InlineData("ada@example.com", true)]
    [InlineData("ada.lovelace+castio@mail.example.co.uk", true)]
    [InlineData("", false)]
    [InlineData("ada", false)]
    [InlineData("ada@", false)]
    [InlineData("@example.com", false)]
    [InlineData("ada@example", false)]
    [InlineData("ada@@example.com", false)]
    [InlineData("a da@example.com", false)]
    [InlineData("Ada <ada@example.com>", false)]
    [InlineData(".ada@example.com", false)]
    [InlineData("ada@-example.com", false)]
    public void EmailRules(string email, bool ok)
    {
        Assert.Equal(ok, EmailAddress.Check(EmailAddress.Normalize(email)) is null);
    }

    [Fact]
    public void EmailIsTrimmedLowerCasedAndBounded()
    {
        Assert.Equal("ada@example.com", EmailAddress.Normalize("  Ada@Example.COM "));
        Assert.NotNull(EmailAddress.Check(new string('a', 60) + "@" + new string('b', 200) + ".com"));
    }

    [Theory]
    [InlineData("Ada Lovelace", true)]
    [InlineData("", false)]
    [InlineData("Ada\u0000", false)]
    public void NameRules(string name, bool ok)
    {
        Assert.Equal(ok, DisplayName.Check(DisplayName.Normalize(name)) is null);
        Assert.NotNull(DisplayName.Check(new string('x', 101)));
    }
}
