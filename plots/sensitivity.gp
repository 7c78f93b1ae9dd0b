# Edit and run gnuplot 'sensitivity.gp' in this folder to write the PNG (800x600) and the SVG.
set title 'Sensitivity: each layer pruned alone (l1)'
set xlabel 'pruning ratio of the layer'
set ylabel 'top-1 accuracy'
set grid lc rgb '#d0d0d0'
set key above box horizontal maxcols 2
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set yrange [0:1]
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set style line 2 lc rgb '#d62728' lw 2 dt 2 pt 2 ps 1.2
set style line 3 lc rgb '#2ca02c' lw 2 dt 3 pt 3 ps 1.2
set style line 4 lc rgb '#9467bd' lw 2 dt 4 pt 4 ps 1.2
set style line 5 lc rgb '#ff7f0e' lw 2 dt 5 pt 5 ps 1.2
set style line 6 lc rgb '#17becf' lw 2 dt 1 pt 6 ps 1.2
set style line 7 lc rgb '#8c564b' lw 2 dt 2 pt 7 ps 1.2
set style line 8 lc rgb '#e377c2' lw 2 dt 3 pt 8 ps 1.2
set style line 9 lc rgb '#7f7f7f' lw 2 dt 4 pt 9 ps 1.2
set style line 10 lc rgb '#bcbd22' lw 2 dt 5 pt 10 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' noenhanced
set output 'sensitivity.png'
plot 'sensitivity.dat' index 0 using 1:2 with linespoints ls 1 title 'student layer1.0', \
     'sensitivity.dat' index 1 using 1:2 with linespoints ls 2 title 'student layer2.3', \
     'sensitivity.dat' index 2 using 1:2 with linespoints ls 3 title 'student layer1.3', \
     'sensitivity.dat' index 3 using 1:2 with linespoints ls 4 title 'student conv1', \
     'sensitivity.dat' index 4 using 1:2 with linespoints ls 5 title 'student layer2.0', \
     'sensitivity.dat' index 5 using 1:2 with linespoints ls 6 title 'student fc', \
     'sensitivity.dat' index 6 using 1:2 with linespoints ls 7 title 'student layer4.0', \
     'sensitivity.dat' index 7 using 1:2 with linespoints ls 8 title 'student layer3.0', \
     'sensitivity.dat' index 8 using 1:2 with linespoints ls 9 title 'student layer3.3', \
     'sensitivity.dat' index 9 using 1:2 with linespoints ls 10 title 'student layer4.3'
set terminal svg size 800,600 font 'Sans,12' noenhanced
set output 'sensitivity.svg'
replot
unset output
