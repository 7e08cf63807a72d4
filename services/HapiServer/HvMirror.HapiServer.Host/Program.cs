using HvMirror.Node;

// The HAPI server host: this node's catalog as HAPI 3.3 (/hapi) and its files (/jp2), so other mirrors can chain from it.
return await HvMirrorNode.RunHostAsync(args, "hvmirror-server", NodeRoles.HapiServer);

/// <summary>Visible to WebApplicationFactory in the functional tests.</summary>
public partial class Program;
