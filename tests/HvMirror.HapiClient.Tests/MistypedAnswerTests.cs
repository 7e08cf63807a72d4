using Microsoft.AspNetCore.Http;
using static HvMirror.HapiClient.Tests.ScriptedServer;

namespace HvMirror.HapiClient.Tests;

/// <summary>JSON answers whose members hold values of the wrong type: a clear error naming the member, never a raw JsonException.</summary>
public sealed class MistypedAnswerTests
{
    private const string Ok = "\"status\":{\"code\":1200,\"message\":\"OK\"}";

    private static async Task<HapiClientException> CatalogErrorAsync(string catalog)
    {
        await using var server = await StartAsync();
        server.Override = context => context.Request.Path == "/hapi/catalog"
            ? JsonAsync(context, catalog)
            : JsonAsync(context, "{\"HAPI\":\"3.3\"," + Ok + "}");
        using var client = server.Client();
        return await Assert.ThrowsAsync<HapiClientException>(() => client.GetCatalogAsync());
    }

    [Theory]
    [InlineData("{\"HAPI\":\"3.3\"," + Ok + ",\"catalog\":[{\"id\":\"A\"},{\"id\":17}]}", "$.catalog[1].id")]
    [InlineData("{\"HAPI\":\"3.3\"," + Ok + ",\"catalog\":{\"id\":\"A\"}}", "$.catalog")]
    [InlineData("{\"HAPI\":\"3.3\",\"status\":{\"code\":\"1200\"},\"catalog\":[]}", "$.status.code")]
    [InlineData("{\"HAPI\":3.3," + Ok + ",\"catalog\":[]}", "$.HAPI")]
    public async Task A_member_of_the_wrong_type_is_named_in_a_clear_error(string catalog, string member)
    {
        var e = await CatalogErrorAsync(catalog);
        Assert.Contains($"/catalog holds a value of the wrong type at {member}", e.Message);
        Assert.False(e.IsTransient);
        Assert.IsType<System.Text.Json.JsonException>(e.InnerException, exactMatch: false);
    }

    [Fact]
    public async Task A_catalog_entry_without_an_id_is_still_called_that()
    {
        var e = await CatalogErrorAsync("{\"HAPI\":\"3.3\"," + Ok + ",\"catalog\":[{\"title\":\"no id\"}]}");
        Assert.Contains("lists an entry without an id", e.Message);
    }

    [Fact]
    public async Task An_info_whose_parameters_list_holds_a_string_names_the_member()
    {
        await using var server = await StartAsync();
        server.Override = context => context.Request.Path == "/hapi/info"
            ? JsonAsync(context, "{\"HAPI\":\"3.3\"," + Ok + ",\"startDate\":\"2024-01-01Z\",\"stopDate\":\"2024-02-01Z\",\"parameters\":[\"Time\"]}")
            : JsonAsync(context, "{\"HAPI\":\"3.3\"," + Ok + "}");
        using var client = server.Client();
        var e = await Assert.ThrowsAsync<HapiClientException>(() => client.GetInfoAsync(Dataset));
        Assert.Equal(Dataset, e.Dataset);
        Assert.Contains("/info holds a value of the wrong type at $.parameters[0]", e.Message);
    }
}
