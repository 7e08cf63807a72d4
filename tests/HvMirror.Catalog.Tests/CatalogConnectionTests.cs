using HvMirror.Catalog;

namespace HvMirror.Catalog.Tests;

public sealed class CatalogConnectionTests
{
    [Theory]
    [InlineData("Host=db;Database=hvmirror;Username=hv;Password=secret")]
    [InlineData("host=db;port=5433;database=hvmirror")]
    [InlineData("Server=db;Database=hvmirror")]
    public void A_connection_string_with_a_host_means_PostgreSQL(string value)
    {
        var connection = CatalogConnection.Parse(value);

        Assert.Equal(CatalogProvider.PostgreSql, connection.Provider);
        Assert.DoesNotContain("secret", connection.Describe());
    }

    [Theory]
    [InlineData("catalog.db")]
    [InlineData("/tmp/hvmirror-tests/some/catalog.db")]
    [InlineData("Data Source=/tmp/hvmirror-tests/x.db")]
    public void A_path_means_a_SQLite_file(string value)
    {
        var connection = CatalogConnection.Parse(value);

        Assert.Equal(CatalogProvider.Sqlite, connection.Provider);
        Assert.StartsWith("SQLite /", connection.Describe());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("postgres://u:p@db/hvmirror", "Host=")]
    public void An_unusable_catalog_setting_says_what_to_write(string value, string advice)
    {
        var error = Assert.Throws<ArgumentException>(() => CatalogConnection.Parse(value));

        Assert.Contains(advice, error.Message);
    }
}
