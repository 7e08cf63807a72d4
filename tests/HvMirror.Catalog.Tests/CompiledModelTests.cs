using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace HvMirror.Catalog.Tests;

/// <summary>
/// The catalog runs on compiled models (CompiledModels/, made by <c>dotnet ef dbcontext optimize</c>): they must say what
/// the model built from the code says, or a changed entity would be read and written by a stale model. No database is
/// opened: the models are compared, not used.
/// </summary>
public sealed class CompiledModelTests
{
    public static TheoryData<string> Catalogs => new() { "Host=localhost;Database=hvmirror_model", "/tmp/hvmirror-model-test.db" };

    [Theory]
    [MemberData(nameof(Catalogs))]
    public async Task The_compiled_model_of_each_provider_is_the_model_the_code_builds(string catalog)
    {
        await using var db = new CatalogDbContextFactory(CatalogConnection.Parse(catalog)).CreateDbContext();
        var compiled = db.Model;
        var built = db.GetService<IDesignTimeModel>().Model;

        Assert.IsAssignableFrom<RuntimeModel>(compiled);
        Assert.NotSame(built, compiled);
        var advice = $"{db.GetType().Name}: CompiledModels/ is stale; regenerate it (README, \"Tests\": dotnet ef dbcontext optimize for both contexts)";
        Assert.True(Describe(built).SequenceEqual(Describe(compiled)), advice);
    }

    /// <summary>Every table, column, key and index, and each property's CLR type and value converter.</summary>
    private static IEnumerable<string> Describe(IModel model)
    {
        var tables = model.GetRelationalModel().Tables.SelectMany(table => (IEnumerable<string>)
        [
            .. table.Columns.Select(c => $"{table.Name}.{c.Name}: {c.StoreType}, nullable {c.IsNullable}"),
            $"{table.Name} key {table.PrimaryKey?.Name}({string.Join(",", table.PrimaryKey?.Columns.Select(c => c.Name) ?? [])})",
            .. table.Indexes.Select(i => $"{table.Name} index {i.Name}({string.Join(",", i.Columns.Select(c => c.Name))}), unique {i.IsUnique}"),
            .. table.UniqueConstraints.Select(u => $"{table.Name} unique {u.Name}({string.Join(",", u.Columns.Select(c => c.Name))})"),
            .. table.ForeignKeyConstraints.Select(f => $"{table.Name} foreign key {f.Name} -> {f.PrincipalTable.Name}"),
        ]);
        var properties = model.GetEntityTypes().SelectMany(entity => entity.GetProperties().Select(property =>
            $"{entity.Name}.{property.Name}: {property.ClrType.Name}, nullable {property.IsNullable}, " +
            $"converter {property.GetTypeMapping().Converter?.GetType().Name ?? "none"}"));
        return tables.Concat(properties).Order(StringComparer.Ordinal);
    }
}
