using HvMirror.Node;

// The comparer host of distributed mode: batches of FileAnnounced (queue file-announced) against this node's catalog; FileNeeded for what is missing.
return await HvMirrorNode.RunHostAsync(args, "hvmirror-comparer", NodeRoles.Comparer);
