using HvMirror.Node;

// The fetcher host of distributed mode: FileNeeded (queue file-needed) → download, verify, place in the archive, register, FileIngested.
return await HvMirrorNode.RunHostAsync(args, "hvmirror-fetcher", NodeRoles.Fetcher);
