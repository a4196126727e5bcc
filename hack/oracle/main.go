// Command automation-oracle runs image-automation-controller's update package on a directory.
//
// Usage: automation-oracle DIR POLICIES.json. POLICIES.json is a JSON list of ImagePolicy objects
// (metadata and status.latestRef are what count). DIR is updated in place, as the controller updates
// its worktree; the change list is printed on stdout as JSON, sorted by file and object.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/go-logr/logr"

	reflectorv1 "github.com/fluxcd/image-reflector-controller/api/v1"

	"github.com/fluxcd/image-automation-controller/internal/update"
)

type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
}

type change struct {
	File   string `json:"file"`
	Object object `json:"object"`
	Old    string `json:"old"`
	New    string `json:"new"`
	Setter string `json:"setter"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: automation-oracle DIR POLICIES.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var policies []reflectorv1.ImagePolicy
	if err := json.Unmarshal(raw, &policies); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	result, err := update.UpdateWithSetters(logr.Discard(), os.Args[1], os.Args[1], policies)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	changes := []change{}
	for file, objects := range result.FileChanges {
		for id, list := range objects {
			o := object{id.APIVersion, id.Kind, id.Namespace, id.Name}
			for _, c := range list {
				changes = append(changes, change{file, o, c.OldValue, c.NewValue, c.Setter})
			}
		}
	}
	// Within one object the controller keeps the order it met the fields in; stable sort keeps it.
	sort.SliceStable(changes, func(i, j int) bool {
		a, b := changes[i], changes[j]
		if a.File != b.File {
			return a.File < b.File
		}
		ka := a.Object.APIVersion + "\x00" + a.Object.Kind + "\x00" + a.Object.Namespace + "\x00" + a.Object.Name
		kb := b.Object.APIVersion + "\x00" + b.Object.Kind + "\x00" + b.Object.Namespace + "\x00" + b.Object.Name
		return ka < kb
	})
	out, _ := json.MarshalIndent(changes, "", "  ")
	fmt.Println(string(out))
}
