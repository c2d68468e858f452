// Prints, for each comment line of the YAML document(s) on stdin, the path of the collection
// SOPS would encrypt it with (its AAD), by reading the text with yaml.v3 and walking the node
// tree the way SOPS's YAML store builds its tree (head, line and foot comments of keys, values
// and list items). No encryption: an oracle for leafseal's comment placement. Dev aid only;
// see compare_with_yamlv3.sh and docs/testing.md.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

func p(path []string) string {
	if len(path) == 0 {
		return ":"
	}
	return strings.Join(path, ":") + ":"
}

func emit(c string, path []string) {
	if c == "" {
		return
	}
	for _, l := range strings.Split(c, "\n") {
		if l == "" {
			continue // (a blank line inside a comment: SOPS skips it)
		}
		l = strings.TrimPrefix(l, "#")
		fmt.Printf("(%q, %q) ", p(path), l)
	}
}

func value(n *yaml.Node, path []string, handled bool) {
	switch n.Kind {
	case yaml.SequenceNode:
		if !handled {
			emit(n.HeadComment, path)
			emit(n.LineComment, path)
		}
		for _, it := range n.Content {
			emit(it.HeadComment, path)
			emit(it.LineComment, path)
			value(it, path, true)
			emit(it.FootComment, path)
		}
		if !handled {
			emit(n.FootComment, path)
		}
	case yaml.MappingNode:
		mapping(n, path, handled)
	case yaml.AliasNode:
		value(n.Alias, path, false)
	}
}

func mapping(n *yaml.Node, path []string, handled bool) {
	if !handled {
		emit(n.HeadComment, path)
		emit(n.LineComment, path)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, it := range n.Content {
			mapping(it, path, false)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			emit(k.HeadComment, path)
			emit(k.LineComment, path)
			hv := v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode
			if hv {
				emit(v.HeadComment, path)
				emit(v.LineComment, path)
			}
			np := append(append([]string{}, path...), k.Value)
			if v.Kind == yaml.MappingNode {
				mapping(v, np, hv)
			} else {
				value(v, np, hv)
			}
			if hv {
				emit(v.FootComment, path)
			}
			emit(k.FootComment, path)
		}
	case yaml.AliasNode:
		mapping(n.Alias, path, false)
	}
	if !handled {
		emit(n.FootComment, path)
	}
}

func main() {
	in, _ := io.ReadAll(os.Stdin)
	d := yaml.NewDecoder(bytes.NewReader(in))
	for {
		var n yaml.Node
		err := d.Decode(&n)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		mapping(&n, nil, false)
		fmt.Print("| ")
	}
	fmt.Println()
}
