module yamlv3placement

go 1.19

require gopkg.in/yaml.v3 v3.0.4
